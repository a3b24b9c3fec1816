import { base32 } from '../../lib/ids'
import type { PaymentGateway } from './gateway'

const token = (bytes = 12) => base32(crypto.getRandomValues(new Uint8Array(bytes)))

/**
 * Local stand-in for Stripe (development and tests): creates `pi_…` intents and client secrets itself and keeps
 * no state; an intent becomes paid only through a signed `payment_intent.succeeded` webhook, as with Stripe
 * (`npm run stripe:simulate`).
 */
export function createLocalGateway(): PaymentGateway {
  return {
    name: 'local',
    async createIntent() {
      const intentId = `pi_local_${token()}`
      return { intentId, clientSecret: `${intentId}_secret_${token()}`, status: 'requires_payment' }
    },
    async cancelIntent() {},
    async refund() {
      return { refundId: `re_local_${token()}`, status: 'succeeded' }
    },
  }
}
