/** Feed (to be built). */
export function FeedScreen() {
  return <h1>Feed</h1>;
}
