import { runProvider } from '@nexus/provider-kit';
import { buildPriceOracle } from './build-price-oracle';

runProvider({ name: 'price-oracle', defaultPort: 8002, build: buildPriceOracle });
