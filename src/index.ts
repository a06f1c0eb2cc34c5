export * from './environment-profile';
export * from './mandatory-tags';
export * from './secure-vpc';
export * from './encrypted-ledger-table';
export * from './audit-bucket';
export * from './payment-api';
