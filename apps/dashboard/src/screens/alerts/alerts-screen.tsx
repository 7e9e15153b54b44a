/** Alerts (to be built). */
export function AlertsScreen() {
  return <h1>Alerts</h1>;
}
