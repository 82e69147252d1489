import { OrderkitError, type Address } from './orderkit/index.js';

/**
 * Saved default addresses, one per shopper (docs/payment-sources.md "Quick ordering"). In memory
 * here; a real shop keeps them with its user records.
 */
export class AddressBook {
  private readonly byCustomer = new Map<string, Address>();

  get(customerId: string): Address | undefined {
    return this.byCustomer.get(customerId);
  }

  set(customerId: string, address: Address): void {
    this.byCustomer.set(customerId, address);
  }

  /** Forgets the saved address (anonymising the customer, docs/privacy.md); true when one was saved. */
  delete(customerId: string): boolean {
    return this.byCustomer.delete(customerId);
  }
}

/** The default address, when asked for and saved; NO_DEFAULT_ADDRESS when asked for and none is saved. */
export function addressFor(book: AddressBook, customerId: string, body: { address?: Address | undefined; useDefaultAddress?: boolean | undefined }): Address | undefined {
  if (body.address !== undefined || body.useDefaultAddress !== true) return body.address;
  const saved = book.get(customerId);
  if (saved === undefined) {
    throw new OrderkitError({ code: 'NO_DEFAULT_ADDRESS', message: { 'zh-CN': '尚未保存默认收货地址', en: 'no default address is saved' }, path: ['body', 'useDefaultAddress'] });
  }
  return saved;
}

