import { runProvider } from '@nexus/provider-kit';
import { buildLogArchive } from './build-log-archive';

runProvider({ name: 'log-archive', defaultPort: 8004, build: buildLogArchive });
