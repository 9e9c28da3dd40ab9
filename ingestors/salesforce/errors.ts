/**
 * Typed errors of the Salesforce ingestor. They never escape `frame()` or `normalize()` (both
 * return dead letters instead); they exist so the helpers can be used and tested on their own and
 * so the normalizer can map each failure to a stable dead-letter code.
 */

/** Base class: every Salesforce ingestor error carries a stable `code`. */
export class SalesforceIngestError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A value is not a 15- or 18-character Salesforce record id. */
export class SalesforceIdError extends SalesforceIngestError {
  constructor(value: string) {
    super('invalid_salesforce_id', `not a 15- or 18-character Salesforce id: ${JSON.stringify(value)}`);
  }
}

/** A timestamp matches none of the Salesforce formats, or names an impossible date. */
export class SalesforceTimestampError extends SalesforceIngestError {
  constructor(value: string, expected: string) {
    super('bad_timestamp', `timestamp ${JSON.stringify(value)} is not ${expected}`);
  }
}
