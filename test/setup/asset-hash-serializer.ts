/**
 * Jest snapshot serializer that replaces CDK asset hashes with a stable placeholder, so that a
 * snapshot changes only when the template does, not when a bundled handler is rebuilt.
 */
const ASSET_HASH = /[0-9a-f]{64}(\.zip|\.json)?/g;

module.exports = {
  test: (value: unknown): boolean => typeof value === 'string' && /[0-9a-f]{64}/.test(value),
  serialize: (value: string): string => JSON.stringify(value.replace(ASSET_HASH, '[ASSET-HASH]$1')),
};
