/**
 * Which proxy the provider uses: the extension's own setting wins, then VS Code's `http.proxy`
 * (with `http.noProxy` and `http.proxyStrictSSL`), then the *_PROXY / NO_PROXY environment.
 * Pure, so it is tested without VS Code.
 */
export interface ProxyInputs {
  /** qwenChat.proxy: "" to defer; "none" for a direct connection; else a URL. */
  override: string;
  /** http.proxy */
  httpProxy: string;
  /** http.noProxy */
  noProxy: string[];
  /** http.proxyStrictSSL */
  strictSSL: boolean;
  /** http.proxySupport: "off" turns VS Code's proxy handling off. */
  proxySupport?: string;
  env: NodeJS.ProcessEnv;
}

export interface ProxyChoice {
  /** A URL; null for none; undefined to let the provider follow the environment. */
  proxy: string | null | undefined;
  noProxy: string | undefined;
  strictSSL: boolean;
  source: 'qwenChat.proxy' | 'http.proxy' | 'environment' | 'none';
}

export function resolveProxy(i: ProxyInputs): ProxyChoice {
  const envNoProxy = i.env.no_proxy ?? i.env.NO_PROXY;
  const noProxy = [...i.noProxy, ...(envNoProxy ? [envNoProxy] : [])].join(',') || undefined;
  const override = i.override.trim();
  if (override.toLowerCase() === 'none') return { proxy: null, noProxy, strictSSL: i.strictSSL, source: 'none' };
  if (override) return { proxy: override, noProxy, strictSSL: i.strictSSL, source: 'qwenChat.proxy' };
  if (i.proxySupport !== 'off' && i.httpProxy.trim()) {
    return { proxy: i.httpProxy.trim(), noProxy, strictSSL: i.strictSSL, source: 'http.proxy' };
  }
  const env = i.env.https_proxy || i.env.HTTPS_PROXY || i.env.http_proxy || i.env.HTTP_PROXY;
  if (env) return { proxy: undefined, noProxy, strictSSL: i.strictSSL, source: 'environment' };
  return { proxy: null, noProxy, strictSSL: i.strictSSL, source: 'none' };
}
