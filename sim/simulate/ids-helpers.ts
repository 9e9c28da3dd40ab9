/** Small id helpers shared by attack generators. */
import type { Rng } from './prng.js';

export const ids = {
  /** A Google OAuth client id of a service account (21 digits). */
  serviceClientId(rng: Rng): string {
    return `1${rng.digits(20)}`;
  },
  /** A Google web OAuth client id. */
  webClientId(rng: Rng): string {
    return `${rng.digits(12)}-${rng.chars(32, 'abcdefghijklmnopqrstuvwxyz0123456789')}.apps.googleusercontent.com`;
  },
};
