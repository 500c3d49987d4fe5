"""`voicecoach serve`: the instructor replay web app on this machine."""

from __future__ import annotations

import click

from voicecoach.cli.common import console
from voicecoach.cli.sessions import data_dir_option, synced_store


@click.command(name="serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Any other than loopback (127.0.0.1, ::1, localhost) "
    "always needs the access token printed at start.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--token",
    metavar="TOKEN",
    envvar="VOICECOACH_SERVE_TOKEN",
    help="Access token to require, at least 16 characters (default: a random one whenever "
    "--host is not loopback).",
)
@click.option(
    "--accounts",
    is_flag=True,
    help="Require sign-in even if it would not be needed (it always is once the database "
    "holds an account; see `voicecoach users add`).",
)
@click.option(
    "--forwarded-allow-ips",
    metavar="IPS",
    default=None,
    help="Comma-separated addresses of the TLS proxy whose X-Forwarded-Proto/-For headers "
    "are trusted (default 127.0.0.1,::1; '*' trusts any).",
)
@data_dir_option
def command(
    host: str,
    port: int,
    token: str | None,
    accounts: bool,
    forwarded_allow_ips: str | None,
    data_dir,
) -> None:
    """Serve annotated session replays for instructors (Ctrl-C stops)."""
    from voicecoach.web.app import AccessMode
    from voicecoach.web.server import make_server
    from voicecoach.web.uploads import upload_routes

    store = synced_store(data_dir)
    try:
        server = make_server(
            store,
            host=host,
            port=port,
            token=token,
            accounts=accounts or None,
            forwarded_allow_ips=forwarded_allow_ips,
            extra_routes=upload_routes(store),  # workstations' uploads (their own tokens)
        )
    except BaseException:
        store.close()
        raise
    count = store.count_sessions()
    console.print(f"Serving {count} session(s) from {store.data_dir}")
    if server.mode is AccessMode.ACCOUNTS:
        console.print("Accounts: everyone signs in; each sees what their role allows.")
    elif server.mode is AccessMode.TOKEN:
        console.print("[yellow]Listening beyond this machine: keep the token secret.[/]")
    console.print(f"Open [bold]{server.url}[/] (Ctrl-C stops)", highlight=False, soft_wrap=True)
    console.print(
        f"Progress of every trainee: {server.url.replace('/sessions', '/progress', 1)}",
        highlight=False,
        soft_wrap=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.print("Stopped.")
    finally:
        server.server_close()
        store.close()
