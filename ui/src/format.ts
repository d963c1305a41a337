// Pure presentation helpers, unit-tested in tests/format.test.ts.

import type { IpcError, ProfileView, SignInState } from './types';

/** "45 s", "12 min", "3 h 5 min", "2 days". */
export function duration(secs: number): string {
  const s = Math.max(0, Math.floor(secs));
  if (s < 120) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 48 * 3600) {
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  return `${Math.floor(s / 86400)} days`;
}

/** A live countdown: "4:59", or "1:02:03" past an hour. */
export function clock(secs: number): string {
  const s = Math.max(0, Math.floor(secs));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${r}` : `${m}:${r}`;
}

export const nowSecs = (): number => Math.floor(Date.now() / 1000);

export function stateLabel(p: Pick<ProfileView, 'state' | 'expiresAt' | 'canRefresh'>, now = nowSecs()): string {
  switch (p.state) {
    case 'needs_sign_in':
      return 'Needs sign-in';
    case 'expired':
      return 'Token expired';
    case 'refresh_failing':
      return 'Refresh failing';
    case 'signed_in': {
      if (p.expiresAt === null) return 'Signed in';
      const left = p.expiresAt - now;
      if (left <= 0) return p.canRefresh ? 'Signed in (renews on next use)' : 'Token expired';
      return `Signed in · expires in ${duration(left)}`;
    }
  }
}

export const stateTone: Record<SignInState, 'ok' | 'warn' | 'bad'> = {
  signed_in: 'ok',
  needs_sign_in: 'warn',
  expired: 'bad',
  refresh_failing: 'bad',
};

/** What to say for an error code, beyond the engine's own sentence. */
export function errorTitle(e: IpcError): string {
  switch (e.code) {
    case 'network':
    case 'server':
      return 'Network trouble';
    case 'access_denied':
      return 'Sign-in declined';
    case 'code_expired':
      return 'Code expired';
    case 'sign_in_required':
      return 'Sign-in needed';
    case 'keychain_unavailable':
      return 'No keychain';
    case 'keychain_locked':
      return 'Keychain locked';
    case 'rejected':
      return 'Lake rejected the token';
    case 'cancelled':
      return 'Cancelled';
    case 'invalid_input':
    case 'profile_not_found':
    case 'config_corrupt':
      return 'Check the input';
    default:
      return 'Something went wrong';
  }
}

/** The profile name a base URL suggests: its org id, else "lake". */
export function epochToLocal(secs: number | null | undefined): string {
  if (secs === null || secs === undefined) return '—';
  return new Date(secs * 1000).toLocaleString();
}
