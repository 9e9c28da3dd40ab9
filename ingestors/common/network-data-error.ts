/** Stable codes of {@link NetworkDataError}. */
export type NetworkDataErrorCode = 'network_data_missing' | 'network_data_invalid';

/**
 * A network-intelligence data file (ASN database, provider range list, ASN class table) is missing
 * or does not validate. Raised at first use (start-up), never per event: the pipeline cannot
 * classify networks without its data, so the process stops with this message rather than silently
 * calling everything residential.
 */
export class NetworkDataError extends Error {
  readonly code: NetworkDataErrorCode;

  constructor(code: NetworkDataErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetworkDataError';
    this.code = code;
  }
}
