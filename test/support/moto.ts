import { inject } from 'vitest';

/** The endpoint of the run's moto server, or a clear error saying why there is none. */
export function motoEndpoint(): string {
  const endpoint = inject('motoEndpoint');
  if (!endpoint) throw new Error(inject('motoError') || 'moto is not running');
  return endpoint;
}

/** Client settings that point an AWS SDK v3 client at moto with dummy keys. */
export function motoClientConfig() {
  return {
    endpoint: motoEndpoint(),
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
}

/** Clears every emulated resource, so a test starts from an empty account. */
export async function resetMoto(): Promise<void> {
  await fetch(`${motoEndpoint()}/moto-api/reset`, { method: 'POST' });
}
