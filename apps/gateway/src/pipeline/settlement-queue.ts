// The settlement queue lives in @nexus/clients, where the payment service reuses it for the outcomes it drives.
export { SETTLEMENT_TOPIC, Settlement, SettlementQueue, type SettlementQueueDeps } from '@nexus/clients';
