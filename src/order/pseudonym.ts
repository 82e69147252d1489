/**
 * The pseudonyms of anonymisation (docs/privacy.md): a customer id starting with
 * `ANONYMOUS_PREFIX` is one, written over the real id in an anonymised order. It lives here, below
 * the service that writes it and the balance that reads it (docs/payment-sources.md "Credits after
 * anonymisation").
 */

/** The prefix of every pseudonym: an order whose customer id starts with it is already anonymised. */
export const ANONYMOUS_PREFIX = 'anon-';

/** Whether a customer id is a pseudonym of the anonymisation. */
export function isPseudonym(customerId: string): boolean {
  return customerId.startsWith(ANONYMOUS_PREFIX);
}
