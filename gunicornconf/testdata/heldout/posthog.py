# Source: PostHog/posthog, gunicorn.config.py, commit 008e93aa83402ac82241fe22074770be1730ffda.
# Verbatim below these two header lines (the search index's stored version of the file).
#!/usr/bin/env python3
# -*- coding: utf-8 -*-


loglevel = "error"
bind = "unix://tmp/nginx.socket"
worker_class = "gevent"
timeout = 90


def on_starting(server):
    print(
        """
\x1b[1;34m"""
        + r"""
 _____          _   _    _             
|  __ \        | | | |  | |            
| |__) |__  ___| |_| |__| | ___   __ _ 
|  ___/ _ \/ __| __|  __  |/ _ \ / _` |
| |  | (_) \__ \ |_| |  | | (_) | (_| |
|_|   \___/|___/\__|_|  |_|\___/ \__, |
                                  __/ |
                                 |___/ 
"""
        + """
\x1b[0m
"""
    )
    print("Server running on \x1b[4mhttp://{}:{}\x1b[0m".format(*server.address[0]))
    print("Questions? Please shoot us an email at \x1b[4mhey@posthog.com\x1b[0m")
    print("\nTo stop, press CTRL + C")


def when_ready(server):
    open("/tmp/app-initialized", "w").close()
