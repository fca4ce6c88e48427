export interface Item {
  name: string;
  price: number;
  quantity: number;
}

export function totalPrice(items: Item[], discount = 0): number {
  const sum = items.reduce((acc, item) => acc + item.price * item.quantity, 0);
  return Math.round(sum * (1 - discount) * 100) / 100;
}

export function cheapest(items: Item[]): Item | undefined {
  return items.reduce<Item | undefined>((best, item) => (!best || item.price < best.price ? item : best), undefined);
}
