import { runService } from '@nexus/service-kit';
import { buildPayment, loadPaymentSettings } from './build-payment';

runService({
  name: 'payment',
  label: 'payment service',
  load: () => loadPaymentSettings(),
  build: (settings, logger) => buildPayment({ settings, logger }),
  ready: (payment, { chain }) => ({ mode: chain.mode, store: payment.dialect }),
});
