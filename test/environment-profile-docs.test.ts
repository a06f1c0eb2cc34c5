import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { EnvironmentProfile, LedgerBilling, Profiles } from '../src';

const ROOT = join(__dirname, '..');

/** The documents that hold a table of the stock profiles, and how to find its lines. */
const TABLES: Array<{ readonly file: string; readonly linePrefix: string }> = [
  { file: 'docs/profiles.md', linePrefix: '' },
  // The doc comment of `Profiles`, which API.md renders.
  { file: 'src/environment-profile.ts', linePrefix: ' * ' },
];

/** A profile's value as the tables write it. */
function cell(field: keyof EnvironmentProfile, profile: EnvironmentProfile): string {
  const value = profile[field];
  const yesNo = (flag: unknown) => (flag ? 'yes' : 'no');
  switch (field) {
    case 'ledgerBilling': {
      const billing = value as LedgerBilling;
      const capacity = billing.provisionedCapacity;
      if (capacity) {
        return `provisioned, ${capacity.read} RCU / ${capacity.write} WCU`;
      }
      return billing.warmThroughput ? `on-demand, ${billing.warmThroughput} warm write units` : 'on-demand';
    }
    case 'pointInTimeRecovery':
      return value ? 'on' : 'off';
    case 'enableAlarms':
    case 'apiIamAuthorization':
    case 'ledgerBackups':
    case 'apiWaf':
      return yesNo(value);
    case 'deadLetterRetention':
      return `${(value as Duration).toDays()} days`;
    case 'removalPolicy':
      return value === RemovalPolicy.DESTROY ? 'destroy' : 'retain';
    default:
      return value === undefined ? 'none' : String(value);
  }
}

/** The rows of the first table in `file` whose header is `setting | dev | staging | production`, by field. */
function profileTable(file: string, linePrefix: string): Map<string, string[]> {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n')
    .filter((line) => line.startsWith(`${linePrefix}|`))
    .map((line) => line.slice(linePrefix.length));
  const header = lines.findIndex((line) => /^\| setting \| dev \| staging \| production \|$/.test(line));
  if (header < 0) {
    throw new Error(`${file} has no table of the stock profiles`);
  }
  const rows = new Map<string, string[]>();
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('| `')) {
      break;
    }
    const [name, ...values] = line.split('|').slice(1, -1).map((text) => text.trim());
    // A remark in parentheses explains a value ("no (API key only)"); the value is what precedes it.
    rows.set(/^`(\w+)`/.exec(name)![1], values.map((value) => value.replace(/\s*\(.*\)$/, '')));
  }
  return rows;
}

const stock = Profiles.names.map((name) => Profiles.named(name));
/** Every field that some stock profile sets. */
const setFields = [...new Set(stock.flatMap((profile) => Object.keys(profile)))].sort() as Array<keyof EnvironmentProfile>;

describe.each(TABLES)('the stock profiles\' table in $file', ({ file, linePrefix }) => {
  const rows = profileTable(file, linePrefix);

  test('has a row for every field that a stock profile sets', () => {
    expect(setFields.filter((field) => !rows.has(field))).toEqual([]);
  });

  test('says what each stock profile sets, for every row', () => {
    for (const [field, values] of rows) {
      expect({ field, values }).toEqual({ field, values: stock.map((profile) => cell(field as keyof EnvironmentProfile, profile)) });
    }
  });
});

test('a table that says something else about a profile is caught', () => {
  const production = { ...Profiles.production, ledgerBilling: LedgerBilling.provisioned({ read: 5, write: 5 }) };
  expect(cell('ledgerBilling', production)).toBe('provisioned, 5 RCU / 5 WCU');
  expect(cell('ledgerBilling', Profiles.production)).not.toBe('provisioned, 5 RCU / 5 WCU');
  expect(cell('auditObjectLockDays', Profiles.dev)).toBe('none');
});
