import { approvalIdOf, ApprovalId } from './approvals';
import { ApprovalStatus } from './live-events';
import { DecisionApprovalStatus } from './policy';

describe('approvals', () => {
  it('names the same statuses on a decision as in the live events', () => {
    expect(DecisionApprovalStatus.options).toEqual(ApprovalStatus.options);
  });

  it('derives an approval id from its decision id, so a replayed decision finds the same approval', () => {
    const id = approvalIdOf('dec_0123456789abcdef0123456789abcdef');
    expect(id).toBe('apr_0123456789abcdef0123456789abcdef');
    expect(ApprovalId.safeParse(id).success).toBe(true);
    expect(ApprovalId.safeParse('apr_../x').success).toBe(false);
  });
});
