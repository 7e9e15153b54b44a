/** The limit: a bare Express route answering a small JSON body, nothing else. */
import express from 'express';

const app = express();
app.use(express.json());
app.post('/decisions', (_req, res) => {
  res.status(201).json({ action: 'ALLOWED', reason: 'WITHIN_POLICY', amount: '0.05' });
});
app.get('/health', (_req, res) => {
  res.json({ status: 'ok' });
});
app.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1');
