import { describe, expect, it } from 'vitest';
import { InvalidObjectKeyError } from '../../../functions/adapters/fs-store.js';
import { CredentialsSecretError } from '../../../functions/adapters/secret-credentials.js';
import { StackOutputError } from '../../../functions/adapters/stack-outputs.js';
import { ScrollRejectedError } from '../../../functions/adapters/wa-errors.js';
import { UsageError } from '../../../functions/cli/usage.js';
import { ApiPageError } from '../../../functions/core/api-page.js';
import {
  InvalidCursorError,
  RunawayChainError,
  StuckCursorError,
} from '../../../functions/core/chain-step.js';
import { RowSchemaError } from '../../../functions/core/coerce.js';
import { ControlCheckpointError } from '../../../functions/core/control-once.js';
import { failureAction, isPermanent, messageOf, WalakeError } from '../../../functions/core/errors.js';
import { LedgerContentionError } from '../../../functions/core/ledger-store.js';
import { LakeManifestError } from '../../../functions/core/manifest.js';
import { PublishDeferredError } from '../../../functions/core/process-task.js';
import { MissingStagedPageError, PublishWaitError } from '../../../functions/core/publish.js';
import { InvalidWindowError } from '../../../functions/core/windows.js';

const made = (Class: new (message: string, options?: ErrorOptions) => Error) =>
  new Class('what happened', { cause: new Error('the cause') });

describe('one error taxonomy', () => {
  it.each([
    ['RunawayChainError', () => made(RunawayChainError), false],
    ['StuckCursorError', () => made(StuckCursorError), false],
    ['InvalidCursorError', () => made(InvalidCursorError), false],
    ['RowSchemaError', () => new RowSchemaError('call-legs', 'legId', 'a string', {}), false],
    ['LakeManifestError', () => made(LakeManifestError), false],
    ['InvalidWindowError', () => made(InvalidWindowError), false],
    ['UsageError', () => made(UsageError), false],
    ['InvalidObjectKeyError', () => new InvalidObjectKeyError('../x', 'it contains ".."'), false],
    ['CredentialsSecretError', () => made(CredentialsSecretError), false],
    ['StackOutputError', () => made(StackOutputError), false],
    ['ScrollRejectedError', () => new ScrollRejectedError(400, 'refused'), false],
    ['ApiPageError', () => made(ApiPageError), true],
    ['LedgerContentionError', () => made(LedgerContentionError), true],
    ['MissingStagedPageError', () => made(MissingStagedPageError), true],
    ['PublishWaitError', () => made(PublishWaitError), true],
    ['PublishDeferredError', () => made(PublishDeferredError), true],
    ['ControlCheckpointError', () => made(ControlCheckpointError), true],
  ])('%s extends WalakeError and says it is retryable: %s', (name, create, retryable) => {
    const error = create();
    expect(error).toBeInstanceOf(WalakeError);
    expect(error.name).toBe(name);
    expect((error as WalakeError).retryable).toBe(retryable);
    expect(isPermanent(error)).toBe(!retryable);
  });

  it('keeps the cause it was given', () => {
    expect(made(LakeManifestError).cause).toEqual(new Error('the cause'));
  });

  it('counts anything else as transient, and reads the message of anything thrown', () => {
    expect(isPermanent(new Error('ECONNRESET'))).toBe(false);
    expect(isPermanent('a string')).toBe(false);
    expect(messageOf(new Error('boom'))).toBe('boom');
    expect(messageOf('plain')).toBe('plain');
  });
});

describe('failureAction', () => {
  const delivery = { receiveCount: 1, maxReceives: 5, credentialsRefused: false };
  it.each([
    ['retries a transient error', new Error('ECONNRESET'), delivery, { failWindow: false, retry: true }],
    [
      'fails the window on the last delivery, and lets the task go to the DLQ',
      new Error('ECONNRESET'),
      { ...delivery, receiveCount: 5 },
      { failWindow: true, retry: true },
    ],
    [
      'fails the window at once on a permanent error, and consumes the task',
      new RunawayChainError('past the cap'),
      delivery,
      { failWindow: true, retry: false },
    ],
    [
      'retries refused credentials without failing the window, even on the last delivery',
      new UsageError('refused'),
      { ...delivery, receiveCount: 5, credentialsRefused: true },
      { failWindow: false, retry: true },
    ],
  ])('%s', (_name, error, given, expected) => {
    expect(failureAction(error, given)).toEqual(expected);
  });
});
