import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withCheckDigit } from './card-table';

/**
 * A seeded corpus of ordinary payment text that holds no card number: what descriptions and metadata
 * values carry (IMEIs, barcodes, timestamps, phone numbers, order and tracking numbers, dates, IBANs,
 * UUIDs, digests, amounts), written as shops, carriers and people write them, plus the hand-written
 * lines of `ordinary-payment-text.txt`. The same seed gives the same lines on every machine, so the
 * test and `npx projen bench` count the same refusals.
 *
 * The contract (version 3, "Card-data guard") counts a run of whole digit groups as a card number
 * when it passes Luhn, starts with a row's leading digits and has one of its lengths. A class whose
 * text can hold 14 or more digits as whole groups that start with any digits is ambiguous by that
 * rule: one line in some hundreds meets all three conditions by chance, and is refused. Such classes
 * say so (`ambiguous`); every other class must be accepted line by line.
 */
export interface CorpusClass {
  readonly name: string;
  /** Why the contract's rule may refuse a line of this class by chance, if it may. */
  readonly ambiguous?: string;
  readonly lines: readonly string[];
}

/** The seed of `ordinaryTextCorpus()`. */
export const CORPUS_SEED = 20261204;

/** The corpus, class by class. */
export function ordinaryTextCorpus(seed: number = CORPUS_SEED): CorpusClass[] {
  const random = new Random(seed);
  return [
    { name: 'IMEIs (15 digits, Luhn-valid by design)', lines: random.lines(300, imei) },
    {
      name: 'IMEISVs (16 digits, no check digit)',
      ambiguous: 'the type allocation codes of many phones start with 3528–3589, a JCB start, and 16 digits is a JCB length',
      lines: random.lines(40, imeisv),
    },
    { name: 'EAN-13 and ISBN-13 barcodes', lines: random.lines(300, barcode) },
    { name: '13-digit millisecond timestamps', lines: random.lines(200, timestamp) },
    { name: 'phone numbers of 14 countries, national and international forms', lines: random.lines(560, phone) },
    { name: 'shop order and invoice numbers', lines: random.lines(400, order) },
    {
      name: 'tracking numbers of UPS, FedEx, USPS, DHL and Royal Mail',
      ambiguous: 'USPS and FedEx numbers of 20 to 22 digits written in groups of four hold 14- to 18-digit windows of whole groups',
      lines: random.lines(300, tracking),
    },
    {
      name: 'dates and date ranges in six formats',
      ambiguous: 'a range of two day-first dates is 16 digits of whole groups, which start as a Mastercard number does for days 22 to 27 (2221–2720) and as a Diners Club number does for the 30th of months 01 to 09 (300)',
      lines: random.lines(300, dateRange),
    },
    { name: 'IBANs in print and electronic form', lines: random.lines(300, iban) },
    { name: 'UUIDs and hexadecimal digests', lines: random.lines(300, identifier) },
    { name: 'decimal amounts in lists (commas, semicolons, currency signs, words)', lines: random.lines(300, amounts) },
    {
      name: 'decimal amounts run together by dots and spaces or slashes',
      ambiguous: 'four or more amounts with only dots, spaces and slashes between them are one run of whole groups of 14 or more digits',
      lines: random.lines(60, amountsRunTogether),
    },
    { name: 'hand-written payment text (ordinary-payment-text.txt)', lines: handWritten() },
  ];
}

/** The Park–Miller "minimal standard" generator: seeded, the same on every platform. */
class Random {
  private static readonly MODULUS = 2_147_483_647;
  private state: number;

  constructor(seed: number) {
    this.state = (seed % (Random.MODULUS - 1)) + 1;
  }

  /** A number in [0, 1). */
  public next(): number {
    this.state = (this.state * 48_271) % Random.MODULUS;
    return (this.state - 1) / (Random.MODULUS - 1);
  }

  /** An integer from `min` to `max`, both included. */
  public int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  public pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.next() * values.length)];
  }

  /** `count` random decimal digits. */
  public digits(count: number): string {
    let text = '';
    for (let i = 0; i < count; i++) {
      text += String(this.int(0, 9));
    }
    return text;
  }

  public hex(count: number): string {
    let text = '';
    for (let i = 0; i < count; i++) {
      text += this.int(0, 15).toString(16);
    }
    return text;
  }

  public lines(count: number, line: (random: Random) => string): string[] {
    return Array.from({ length: count }, () => line(this));
  }
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');
const groups = (digits: string, size: number, separator = ' ') => digits.match(new RegExp(`.{1,${size}}`, 'g'))!.join(separator);

/** Reporting bodies' type allocation codes: Apple, Samsung, Huawei, Xiaomi, Google and others start with 35, 86, 01 or 99. */
const TAC_STARTS = ['35', '86', '01', '99'];

function imei(random: Random): string {
  const tac = random.pick(TAC_STARTS) + random.digits(6);
  const number = withCheckDigit(tac + random.digits(6));
  const written = random.pick([
    number,
    `${number.slice(0, 2)}-${number.slice(2, 8)}-${number.slice(8, 14)}-${number.slice(14)}`,
    `${number.slice(0, 2)} ${number.slice(2, 8)} ${number.slice(8, 14)} ${number.slice(14)}`,
    `${number.slice(0, 8)}/${number.slice(8, 14)}/${number.slice(14)}`,
  ]);
  return random.pick([
    `IMEI ${written}`,
    `IMEI: ${written}, device replacement`,
    `Trade-in, IMEI ${written}, grade B`,
    `Gerät IMEI ${written} – Reparaturauftrag`,
    `IMEI1 ${number}; IMEI2 ${withCheckDigit(tac + random.digits(6))}`,
    `设备IMEI：${written}`,
  ]);
}

/** An IMEISV: the type allocation code, the serial number and a two-digit software version. */
function imeisv(random: Random): string {
  const number = `${random.pick(TAC_STARTS)}${random.digits(12)}${pad(random.int(0, 99), 2)}`;
  return random.pick([`IMEISV ${number}`, `IMEISV: ${number} (software version ${number.slice(14)})`]);
}

/** The EAN-13 check digit: weights 1 and 3 from the left. */
function withEanCheck(twelve: string): string {
  const sum = Array.from(twelve).reduce((total, digit, i) => total + Number(digit) * (i % 2 === 0 ? 1 : 3), 0);
  return `${twelve}${(10 - (sum % 10)) % 10}`;
}

function barcode(random: Random): string {
  const isbn = withEanCheck(`${random.pick(['978', '979'])}${random.digits(9)}`);
  const ean = withEanCheck(`${random.pick(['400', '401', '300', '500', '590', '690', '760', '800', '871', '890'])}${random.digits(9)}`);
  const hyphenated = `${isbn.slice(0, 3)}-${isbn.slice(3, 4)}-${isbn.slice(4, 8)}-${isbn.slice(8, 12)}-${isbn.slice(12)}`;
  return random.pick([
    `ISBN ${hyphenated}`,
    `ISBN ${isbn}, paperback`,
    `Book order: ${hyphenated} (2 copies)`,
    `EAN ${ean}`,
    `GTIN ${ean}, qty ${random.int(1, 12)}`,
    `Artikel EAN ${ean} x ${random.int(1, 5)}`,
    `Barcode ${ean.slice(0, 1)} ${ean.slice(1, 7)} ${ean.slice(7)}`,
    `GTIN-14 0${ean}`,
  ]);
}

function timestamp(random: Random): string {
  const ms = random.int(1_500_000_000_000, 1_900_000_000_000);
  return random.pick([
    `ts=${ms}`,
    `created ${ms}`,
    `event_time: ${ms}`,
    `window ${ms}-${ms + random.int(1000, 3_600_000)}`,
    `cart_${ms}`,
    `Zeitstempel ${ms} ms`,
    `session ${random.hex(8)} started at ${ms}`,
  ]);
}

/** National and international forms of mobile and landline numbers, by country. */
const PHONES: ReadonlyArray<(random: Random) => string> = [
  // United States and Canada
  (r) => r.pick([`+1 (${r.int(201, 989)}) ${r.int(200, 999)}-${r.digits(4)}`, `${r.int(201, 989)}-${r.int(200, 999)}-${r.digits(4)}`, `1-800-${r.int(200, 999)}-${r.digits(4)}`, `+1 ${r.int(201, 989)} ${r.int(200, 999)} ${r.digits(4)}`]),
  // United Kingdom
  (r) => r.pick([`+44 20 ${r.digits(4)} ${r.digits(4)}`, `020 ${r.digits(4)} ${r.digits(4)}`, `+44 7${r.digits(3)} ${r.digits(6)}`, `07${r.digits(3)} ${r.digits(6)}`]),
  // Germany
  (r) => r.pick([`+49 30 ${r.digits(8)}`, `030 ${r.digits(8)}`, `+49 15${r.int(1, 9)} ${r.digits(8)}`, `015${r.int(1, 9)} ${r.digits(4)} ${r.digits(4)}`, `+49 (0)89 ${r.digits(3)} ${r.digits(4)}`]),
  // France
  (r) => r.pick([`+33 1 ${r.digits(2)} ${r.digits(2)} ${r.digits(2)} ${r.digits(2)}`, `01 ${r.digits(2)} ${r.digits(2)} ${r.digits(2)} ${r.digits(2)}`, `+33 6 ${r.digits(2)} ${r.digits(2)} ${r.digits(2)} ${r.digits(2)}`, `06.${r.digits(2)}.${r.digits(2)}.${r.digits(2)}.${r.digits(2)}`]),
  // Spain
  (r) => r.pick([`+34 6${r.digits(2)} ${r.digits(3)} ${r.digits(3)}`, `91 ${r.digits(3)} ${r.digits(2)} ${r.digits(2)}`, `6${r.digits(2)} ${r.digits(2)} ${r.digits(2)} ${r.digits(2)}`]),
  // Italy
  (r) => r.pick([`+39 06 ${r.digits(4)} ${r.digits(4)}`, `+39 3${r.digits(2)} ${r.digits(3)} ${r.digits(4)}`, `3${r.digits(2)} ${r.digits(7)}`]),
  // Netherlands
  (r) => r.pick([`+31 20 ${r.digits(3)} ${r.digits(4)}`, `06-${r.digits(8)}`, `+31 6 ${r.digits(8)}`]),
  // India
  (r) => r.pick([`+91 9${r.digits(4)} ${r.digits(5)}`, `09${r.digits(4)} ${r.digits(5)}`, `+91-22-${r.digits(4)}-${r.digits(4)}`]),
  // China
  (r) => r.pick([`+86 13${r.int(0, 9)} ${r.digits(4)} ${r.digits(4)}`, `13${r.int(0, 9)}-${r.digits(4)}-${r.digits(4)}`, `+86 10 ${r.digits(4)} ${r.digits(4)}`, `(010) ${r.digits(8)}`]),
  // Japan
  (r) => r.pick([`+81 3-${r.digits(4)}-${r.digits(4)}`, `03-${r.digits(4)}-${r.digits(4)}`, `090-${r.digits(4)}-${r.digits(4)}`, `+81 90 ${r.digits(4)} ${r.digits(4)}`]),
  // Brazil
  (r) => r.pick([`+55 11 9${r.digits(4)}-${r.digits(4)}`, `(11) 9${r.digits(4)}-${r.digits(4)}`, `+55 21 ${r.digits(4)}-${r.digits(4)}`]),
  // Australia
  (r) => r.pick([`+61 2 ${r.digits(4)} ${r.digits(4)}`, `04${r.digits(2)} ${r.digits(3)} ${r.digits(3)}`, `(02) ${r.digits(4)} ${r.digits(4)}`]),
  // Mexico
  (r) => r.pick([`+52 55 ${r.digits(4)} ${r.digits(4)}`, `55 ${r.digits(4)} ${r.digits(4)}`, `+52 1 33 ${r.digits(4)} ${r.digits(4)}`]),
  // Russia
  (r) => r.pick([`+7 495 ${r.digits(3)}-${r.digits(2)}-${r.digits(2)}`, `8 (9${r.digits(2)}) ${r.digits(3)}-${r.digits(2)}-${r.digits(2)}`, `+7 9${r.digits(2)} ${r.digits(3)} ${r.digits(2)} ${r.digits(2)}`]),
];

function phone(random: Random): string {
  const number = random.pick(PHONES)(random);
  return random.pick([
    `Tel. ${number}`,
    `Call back ${number} after 5pm`,
    `Lieferung: bitte vorher anrufen ${number}`,
    `tél. ${number}`,
    `联系电话 ${number}`,
    `電話 ${number}`,
    `WhatsApp ${number}`,
    `Kontakt ${number}, Fax ${random.pick(PHONES)(random)}`,
  ]);
}

function order(random: Random): string {
  const amazon = `${random.pick(['111', '112', '113', '114', '028', '171', '249', '250', '302', '303', '304', '305', '402', '403', '404', '405', '406', '407', '408', '503'])}-${random.digits(7)}-${random.digits(7)}`;
  const number = random.pick([
    amazon,
    `${pad(random.int(10, 27), 2)}-${random.digits(5)}-${random.digits(5)}`,
    `#${random.int(1001, 99999)}`,
    `ORD-${random.int(2019, 2027)}-${pad(random.int(1, 999_999), 6)}`,
    `INV-${random.int(2019, 2027)}-${pad(random.int(1, 9999), 4)}`,
    `SO/${random.int(2019, 2027)}/${pad(random.int(1, 99999), 5)}`,
    `PO 45${random.digits(8)}`,
    `RMA ${random.digits(6)}`,
    `${random.int(2019, 2027)}${pad(random.int(1, 12), 2)}${pad(random.int(1, 28), 2)}-${random.digits(6)}`,
    `BK${random.digits(6)}`,
    `Beleg ${random.digits(10)}`,
  ]);
  return random.pick([
    `Order ${number}`,
    `Bestellung ${number} vom ${pad(random.int(1, 28), 2)}.${pad(random.int(1, 12), 2)}.${random.int(2024, 2027)}`,
    `Commande ${number} : ${random.int(1, 9)} articles`,
    `Pedido ${number}`,
    `注文番号 ${number}`,
    `Invoice ${number}, due in ${random.pick([14, 30, 60])} days`,
    `Refund for order ${number}`,
  ]);
}

/** The USPS and UPS-style mod 10 check digit: weights 3 and 1 from the right. */
function withUspsCheck(digits: string): string {
  const sum = Array.from(digits).reverse().reduce((total, digit, i) => total + Number(digit) * (i % 2 === 0 ? 3 : 1), 0);
  return `${digits}${(10 - (sum % 10)) % 10}`;
}

function tracking(random: Random): string {
  const letters = (count: number) => Array.from({ length: count }, () => String.fromCharCode(65 + random.int(0, 25))).join('');
  const usps = withUspsCheck(`${random.pick(['9400', '9205', '9261', '9270', '9300', '9361', '9405', '9407'])}1${random.digits(16)}`);
  const fedex12 = random.digits(12);
  const fedex20 = `96${random.digits(18)}`;
  const number = random.pick([
    // The shipper number is six letters and digits, as in UPS's own example 1Z 999 AA1 01 2345 6784.
    `UPS 1Z${random.digits(3)}${letters(2)}${random.digits(1)}${pad(random.int(1, 99), 2)}${random.digits(8)}`,
    `UPS 1Z ${random.digits(3)} ${letters(2)}${random.digits(1)} ${pad(random.int(1, 99), 2)} ${random.digits(4)} ${random.digits(4)}`,
    `FedEx ${fedex12}`,
    `FedEx ${groups(fedex12, 4)}`,
    `FedEx Ground ${fedex20}`,
    `FedEx Ground ${groups(fedex20, 4)}`,
    `USPS ${usps}`,
    `USPS ${groups(usps, 4)}`,
    `USPS ${letters(2)}${random.digits(9)}US`,
    `DHL Express ${random.digits(10)}`,
    `DHL Paket ${random.pick(['00340434', '00340433'])}${random.digits(12)}`,
    `DHL JJD00${random.digits(16)}`,
    `Royal Mail ${letters(2)} ${random.digits(4)} ${random.digits(4)} ${random.digits(1)}GB`,
  ]);
  return random.pick([`Tracking ${number}`, `Sendungsnummer: ${number}`, `Shipped with ${number}`, `追踪号 ${number}`, `Suivi ${number}`]);
}

function dateRange(random: Random): string {
  const year = random.int(2019, 2028);
  const [m1, d1, m2, d2] = [random.int(1, 12), random.int(1, 30), random.int(1, 12), random.int(1, 30)];
  const y2 = year + random.int(0, 1);
  const range = random.pick([
    `${year}-${pad(m1, 2)}-${pad(d1, 2)} – ${y2}-${pad(m2, 2)}-${pad(d2, 2)}`,
    `${pad(d1, 2)}.${pad(m1, 2)}.${year} - ${pad(d2, 2)}.${pad(m2, 2)}.${y2}`,
    `${m1}/${d1}/${year}-${m2}/${d2}/${y2}`,
    `${year}/${pad(m1, 2)}/${pad(d1, 2)} ~ ${y2}/${pad(m2, 2)}/${pad(d2, 2)}`,
    `${pad(d1, 2)}-${pad(m1, 2)}-${year} to ${pad(d2, 2)}-${pad(m2, 2)}-${y2}`,
    `${year}${pad(m1, 2)}${pad(d1, 2)}-${y2}${pad(m2, 2)}${pad(d2, 2)}`,
  ]);
  return random.pick([
    `Subscription ${range}`,
    `Zeitraum ${range}`,
    `Période du ${range}`,
    `Booking ${range}, 2 guests`,
    `利用期間 ${range}`,
    `Billing period ${range}`,
  ]);
}

/** Countries and their BBAN shapes (digits, or letters where the country's format has them). */
const IBAN_FORMATS: ReadonlyArray<{ country: string; bban: (random: Random) => string }> = [
  { country: 'DE', bban: (r) => r.digits(18) },
  { country: 'FR', bban: (r) => `${r.digits(10)}${r.hex(11).toUpperCase()}${r.digits(2)}` },
  { country: 'ES', bban: (r) => r.digits(20) },
  { country: 'IT', bban: (r) => `X${r.digits(10)}${r.digits(12)}` },
  { country: 'NL', bban: (r) => `ABNA${r.digits(10)}` },
  { country: 'BE', bban: (r) => r.digits(12) },
  { country: 'AT', bban: (r) => r.digits(16) },
  { country: 'CH', bban: (r) => r.digits(17) },
  { country: 'GB', bban: (r) => `NWBK${r.digits(14)}` },
  { country: 'PL', bban: (r) => r.digits(24) },
  { country: 'PT', bban: (r) => r.digits(21) },
  { country: 'SE', bban: (r) => r.digits(20) },
];

/** The IBAN of `country` and `bban`, with its two mod-97 check digits. */
export function ibanOf(country: string, bban: string): string {
  const digits = `${bban}${country}00`.replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
  return `${country}${String(98n - (BigInt(digits) % 97n)).padStart(2, '0')}${bban}`;
}

function iban(random: Random): string {
  const { country, bban } = random.pick(IBAN_FORMATS);
  const value = ibanOf(country, bban(random));
  const written = random.pick([value, groups(value, 4)]);
  return random.pick([
    `Überweisung an ${written}`,
    `Virement sur ${written}, réf. ${random.digits(6)}`,
    `Refund to IBAN ${written}`,
    `IBAN: ${written} BIC ${random.pick(['COBADEFFXXX', 'BNPAFRPP', 'INGBNL2A', 'NWBKGB2L'])}`,
    `Transferencia a ${written}`,
  ]);
}

function identifier(random: Random): string {
  const uuid = `${random.hex(8)}-${random.hex(4)}-4${random.hex(3)}-${random.pick(['8', '9', 'a', 'b'])}${random.hex(3)}-${random.hex(12)}`;
  const written = random.next() < 0.2 ? uuid.toUpperCase() : uuid;
  return random.pick([
    `refund of ${written}`,
    `transactionId ${written}`,
    `Reversal of payment ${written}, see ticket ${random.int(1000, 99999)}`,
    `correlation ${written} / ${random.hex(8)}-${random.hex(4)}-4${random.hex(3)}-a${random.hex(3)}-${random.hex(12)}`,
    `sha256:${random.hex(64)}`,
    `md5 ${random.hex(32)}`,
    `commit ${random.hex(40)}`,
    `receipt hash ${random.hex(64).toUpperCase()}`,
    `build ${random.hex(7)}`,
  ]);
}

function amounts(random: Random): string {
  const price = () => `${random.int(1, 499)}.${random.pick(['99', '95', '49', '00', '50', String(random.int(10, 99))])}`;
  const list = (count: number) => Array.from({ length: count }, price);
  const count = random.int(2, 8);
  return random.pick([
    `Items: ${list(count).join(', ')}`,
    `${list(count).map((p) => `€${p}`).join(' + ')}`,
    `Prices ${list(count).join('; ')}`,
    `${random.int(1, 9)} x ${price()} = ${price()}`,
    `Subtotal ${price()}, tax ${price()}, shipping ${price()}, total ${price()}`,
    `Zwischensumme ${price().replace('.', ',')} €, MwSt. ${price().replace('.', ',')} €`,
  ]);
}

function amountsRunTogether(random: Random): string {
  const price = () => `${random.int(1, 499)}.${random.pick(['99', '95', '49', '00', '50', String(random.int(10, 99))])}`;
  const list = Array.from({ length: random.int(2, 6) }, price);
  return random.pick([list.join(' '), `${list.join(' / ')} USD`, `Preise ${list.join(' ')}`]);
}

function handWritten(): string[] {
  return readFileSync(join(__dirname, 'ordinary-payment-text.txt'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
}
