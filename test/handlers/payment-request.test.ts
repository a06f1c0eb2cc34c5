import { validatePayment } from '../../src/handlers/payment-request';

/**
 * The `currency` rule of the contract: the ISO 4217 alphabetic codes of the currencies in
 * circulation, written out here a second time, so that the handler's list is held against the
 * standard's rather than against itself (a code dropped or mistyped there fails this test).
 */
const ISO_4217_ACTIVE = `
  AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD
  CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
  GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD
  KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO
  NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE
  SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND
  VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG`.trim().split(/\s+/);

const payment = (currency: unknown) => ({ amount: 1999, currency, merchantId: 'm_1', paymentMethodToken: 'tok_1' });
const currencyIssue = (currency: unknown) => {
  try {
    validatePayment(payment(currency));
    return undefined;
  } catch (error) {
    return (error as { details: unknown }).details;
  }
};

test('currency: every active ISO 4217 code is accepted', () => {
  expect(ISO_4217_ACTIVE).toHaveLength(155);
  expect(ISO_4217_ACTIVE.filter((code) => currencyIssue(code) !== undefined)).toEqual([]);
});

test('currency: fund codes, metals, testing codes, withdrawn currencies, lower case and non-strings are refused', () => {
  const refused = ['BOV', 'USN', 'XAU', 'XAG', 'XPD', 'XPT', 'XDR', 'XSU', 'XUA', 'XBA', 'XTS', 'XXX',
    'ANG', 'BGN', 'HRK', 'SLL', 'ZWL', 'CUC', 'usd', 'Usd', 'USDX', '', ' USD', 840, null];
  for (const currency of refused) {
    expect(currencyIssue(currency)).toEqual([{ field: 'currency', issue: 'must be the upper-case ISO 4217 code of an active currency, such as USD' }]);
  }
});

test('amount: a number that is not a whole number of minor units is refused, whoever calls the rules', () => {
  for (const amount of [19.99, Number.POSITIVE_INFINITY, Number.NaN]) {
    expect(() => validatePayment({ ...payment('USD'), amount })).toThrow(expect.objectContaining({
      details: [{ field: 'amount', issue: 'must be an integer number of minor units (cents), written without quotes, a decimal point or an exponent' }],
    }));
  }
});
