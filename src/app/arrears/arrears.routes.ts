// Customer bills and arrears: bills the partner is to collect, their collection, the vendor's
// service-quality fault that exempts them, and the deduction of arrears past the policy's grace
// period from the deposit (src/domain/customer-bills.ts, src/domain/arrears-deduction.ts).
import { ArrearsDeductionAnswer, CollectionAnswer, CustomerBillAnswer, ExemptionAnswer } from '../http/answers.js';
import { commandRoute } from '../http/command-route.js';

const tag = 'arrears';

export const recordCustomerBillRoute = commandRoute('recordCustomerBill', {
  path: '/partners/:id/customer-bills',
  pathFields: { id: 'partnerId' },
  tag,
  summary: "Record a bill to one of the partner's signed customers, for the partner to collect (CustomerBillIssued)",
  description:
    "dealId must be the partner's own signed deal (404 deal-unknown, 422 customer-bill-not-partners-deal / customer-bill-deal-not-signed). " +
    'Its uncollected arrears may be deducted from the deposit from dueAt plus the policy grace period (deposits.arrearsGraceDays, default 90 days). The same billId with the same figures writes nothing.',
  roles: ['finance'],
  response: CustomerBillAnswer,
});

export const collectCustomerBillRoute = commandRoute('collectCustomerBill', {
  path: '/partners/:id/customer-bills/:billId/collections',
  pathFields: { id: 'partnerId', billId: 'billId' },
  tag,
  summary: 'Record what the partner collected of a customer bill (CustomerBillCollected)',
  description: 'Refused above what is uncollected (422 collection-exceeds-outstanding) and once the arrears were deducted (422 customer-bill-deducted). The same collectionId with the same amount writes nothing.',
  roles: ['finance'],
  response: CollectionAnswer,
});

export const exemptArrearsRoute = commandRoute('exemptArrears', {
  path: '/partners/:id/customer-bills/:billId/vendor-fault',
  pathFields: { id: 'partnerId', billId: 'billId' },
  tag,
  summary: "Record that a bill's arrears come from the vendor's own service-quality fault: never deducted (ArrearsExempted)",
  description: 'A manager, with a reason. Refused for a bill collected in full or already deducted; recording it again writes nothing.',
  roles: ['manager'],
  response: ExemptionAnswer,
});

export const deductArrearsRoute = commandRoute('deductArrears', {
  path: '/arrears-deductions',
  tag,
  summary: "Deduct every partner's uncollected arrears past the grace period as of asOf from its deposit (DepositDeducted per bill)",
  description:
    'Each deductible bill (uncollected, not exempted, not deducted before, dueAt + grace ≤ asOf) gets one DepositDeducted with the reason and the reference "arrears <billId>"; what the deposit cannot cover becomes debt. ' +
    'Idempotent: a bill is deducted once, so running it again writes nothing for it. asOf may not lie after the deduction (occurredAt, default now).',
  roles: ['finance'],
  response: ArrearsDeductionAnswer,
});

export const arrearsRoutes = [recordCustomerBillRoute, collectCustomerBillRoute, exemptArrearsRoute, deductArrearsRoute];
