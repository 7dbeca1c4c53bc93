"""Notifiers: ways to deliver :class:`~gesprekscyclus.ports.notifier.Notification` values.

- :mod:`.mail` sends e-mail with an optional calendar invitation (stdlib ``smtplib``);
- :mod:`.webhook` posts signed JSON to an HTTP endpoint (stdlib ``urllib``);
- :mod:`.ics` writes iCalendar invitations and feeds (needs the ``[ics]`` extra);
- :mod:`.console` prints or logs one line per notification;
- :mod:`.recording` keeps what was sent, in memory or in a file, for tests;
- :mod:`.templates` turns a notification into a localised subject, text and HTML.

Nothing is imported here, so importing one notifier never pulls in another's dependencies.
"""
