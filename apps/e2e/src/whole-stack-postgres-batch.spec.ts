import { describeWholeStack } from './whole-stack-suite';

describeWholeStack('postgres', 'batch');
