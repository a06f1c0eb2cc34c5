export * from './environment-profile';
export * from './mandatory-tags';
export * from './secure-vpc';
export * from './encrypted-ledger-table';
export * from './audit-bucket';
export * from './payment-api';
export * from './payment-alarms';
export * from './payment-platform';
