import { runProvider } from '@nexus/provider-kit';
import { buildImageGen } from './build-image-gen';

runProvider({ name: 'image-gen', defaultPort: 8001, build: buildImageGen });
