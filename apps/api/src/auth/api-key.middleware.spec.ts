import { AuthFailureLimiter } from './api-key.middleware';

describe('AuthFailureLimiter', () => {
  it('blocks an address after its failures in one window, until the window ends, and only that address', () => {
    let now = 1_000_000;
    const limiter = new AuthFailureLimiter(3, 60_000, () => now);
    for (let i = 0; i < 2; i++) limiter.recordFailure('10.0.0.1');
    expect(limiter.blockedForMs('10.0.0.1')).toBe(0);
    limiter.recordFailure('10.0.0.1');
    expect(limiter.blockedForMs('10.0.0.1')).toBe(60_000);
    expect(limiter.blockedForMs('10.0.0.2')).toBe(0);
    now += 45_000;
    expect(limiter.blockedForMs('10.0.0.1')).toBe(15_000);
    now += 15_000;
    expect(limiter.blockedForMs('10.0.0.1')).toBe(0);
    // A new window starts counting from zero.
    limiter.recordFailure('10.0.0.1');
    expect(limiter.blockedForMs('10.0.0.1')).toBe(0);
  });
});
