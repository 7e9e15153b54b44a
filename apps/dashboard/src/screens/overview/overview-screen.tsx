/** Overview (to be built). */
export function OverviewScreen() {
  return <h1>Overview</h1>;
}
