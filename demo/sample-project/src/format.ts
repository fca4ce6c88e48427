import { type Item, totalPrice } from './cart';

export function receipt(items: Item[]): string {
  const lines = items.map((i) => `${i.name.padEnd(12)} ${i.quantity} x ${i.price.toFixed(2)}`);
  return [...lines, `${'Total'.padEnd(12)} ${totalPrice(items).toFixed(2)}`].join('\n');
}
