import { describeWholeStack } from './whole-stack-suite';

describeWholeStack('sqlite', 'batch');
