import type { Router } from 'express';
import type { PriceBook } from '../oracle/price-book';

/** PRICE_ORACLE's free read: what it can price (symbols and configured pairs), never the prices. */
export function symbolRoutes(book: PriceBook): (router: Router) => void {
  return (router) => {
    router.get('/symbols', (_req, res) => {
      res.json(book.listing());
    });
  };
}
