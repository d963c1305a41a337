import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../src/types';
import { clock, duration, errorTitle, stateLabel } from '../src/format';

describe('format', () => {
  it('says durations the way people read them', () => {
    expect(duration(45)).toBe('45 s');
    expect(duration(600)).toBe('10 min');
    expect(duration(3 * 3600 + 5 * 60)).toBe('3 h 5 min');
    expect(duration(10 * 86400)).toBe('10 days');
    expect(duration(-5)).toBe('0 s');
  });

  it('counts down as m:ss or h:mm:ss', () => {
    expect(clock(299)).toBe('4:59');
    expect(clock(3723)).toBe('1:02:03');
    expect(clock(-1)).toBe('0:00');
  });

  it('labels every sign-in state', () => {
    const now = 1000;
    expect(stateLabel({ state: 'signed_in', expiresAt: now + 600, canRefresh: true }, now)).toBe('Signed in · expires in 10 min');
    expect(stateLabel({ state: 'signed_in', expiresAt: now - 1, canRefresh: true }, now)).toBe('Signed in (renews on next use)');
    expect(stateLabel({ state: 'signed_in', expiresAt: now - 1, canRefresh: false }, now)).toBe('Token expired');
    expect(stateLabel({ state: 'needs_sign_in', expiresAt: null, canRefresh: false }, now)).toBe('Needs sign-in');
    expect(stateLabel({ state: 'refresh_failing', expiresAt: now, canRefresh: true }, now)).toBe('Refresh failing');
  });

  it('titles errors by their code, not their text', () => {
    expect(errorTitle({ code: 'network', message: 'whatever' })).toBe('Network trouble');
    expect(errorTitle({ code: 'keychain_locked', message: '' })).toBe('Keychain locked');
    // A code from a newer shell than this UI knows (the union is checked at build time only).
    expect(errorTitle({ code: 'something_new' as unknown as ErrorCode, message: '' })).toBe('Something went wrong');
  });
});
