// A small panva oidc-provider for scopectl's RFC 7591/7592 push tests.
// Usage: SCOPECTL_OIDC_IAT=token node oidc-provider.mjs PORT
// Started by scripts/test with NODE_PATH pointing at the cached npm install.
// Dynamic registration (with a static initial access token), registration management
// (rotating registration access tokens), client_credentials, introspection (also as a
// signed JWT) and revocation are on. The scope list is
// static: it covers every scope the tests use, so a test can check that a registry scope
// outside it is reported as unsupported.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const modPath = require.resolve('oidc-provider', { paths: (process.env.NODE_PATH || '').split(':') });
const { default: Provider } = await import(modPath);

const port = Number(process.argv[2] || 3000);
const iat = process.env.SCOPECTL_OIDC_IAT || 'test-iat';
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  scopes: [
    'openid', 'offline_access',
    'orders:read', 'orders:write', 'orders:refund',
    'telemetry:read', 'telemetry:write', 'inventory:read', 'inventory:write',
  ],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    // Token introspection (RFC 7662) of the opaque access tokens client_credentials
    // issues (no resource indicator: opaque is the default format), and signed answers
    // (RFC 9701) for a client registered with introspection_signed_response_alg.
    introspection: { enabled: true },
    jwtIntrospection: { enabled: true },
    revocation: { enabled: true },
    registration: { enabled: true, initialAccessToken: iat },
    registrationManagement: { enabled: true, rotateRegistrationAccessToken: true },
  },
});
provider.proxy = false;
const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => server.close(() => process.exit(0)));
}
