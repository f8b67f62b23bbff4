import { useEffect, useState } from 'react';
import type { SshInfo } from '../../../src-shared/workspace.js';
import { useApi } from '../../app/app-context.js';
import { CommandBlock } from '../../components/CommandBlock.js';

/** How to reach the workspace from a terminal or a desktop editor. */
export function SshAccess({ workspaceId }: { workspaceId: string }) {
  const api = useApi();
  const [info, setInfo] = useState<SshInfo | null>(null);

  useEffect(() => {
    let cancelled = false;
    api.getSshInfo({ id: workspaceId }).then(
      (next) => {
        if (!cancelled) setInfo(next);
      },
      () => {
        if (!cancelled) setInfo(null);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, workspaceId]);

  if (!info) return null;
  return (
    <section className="panel" aria-labelledby="ssh-heading">
      <h3 id="ssh-heading">Connect with SSH</h3>
      <CommandBlock command={info.command} what="SSH command" />
      <p className="muted">
        {info.includedInUserConfig
          ? `Your ~/.ssh/config includes Tidepool's hosts, so “ssh ${info.hostAlias}” works too.`
          : `The host entry is in ${info.configPath}. Turn on SSH config integration in Settings to use “ssh ${info.hostAlias}” anywhere.`}
      </p>
      <a className="button button-small align-start" href={info.vscodeUri}>
        Open in desktop VS Code
      </a>
    </section>
  );
}
