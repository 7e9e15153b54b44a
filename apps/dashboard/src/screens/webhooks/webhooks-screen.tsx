/** Webhooks (to be built). */
export function WebhooksScreen() {
  return <h1>Webhooks</h1>;
}
