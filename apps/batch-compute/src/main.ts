import { runProvider } from '@nexus/provider-kit';
import { buildBatchCompute } from './build-batch-compute';

runProvider({ name: 'batch-compute', defaultPort: 8003, build: buildBatchCompute });
