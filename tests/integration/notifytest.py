"""Helpers for the notification tests: a test region with its own
coordinator addresses, and the SMTP sink's messages to one address."""

from kwtest import mails, mail_part, test_region, sql, wait_until


def notify_region(region_id, assignment, coordinators, change=None, **notification):
    """A test region (kwtest.test_region) whose notification section names
    coordinators and the other keys given; returns a coordinator token."""
    def edit(doc):
        doc["notification"] = dict(doc["notification"], coordinators=coordinators, **notification)
        if change:
            change(doc)
    return test_region(region_id, assignment, change=edit)


def mails_to(address):
    """The sink's messages delivered to address, oldest first."""
    return [m for m in mails() if address in m.get_all("Delivered-To", [])]


def text_of(message):
    return mail_part(message)


def html_of(message):
    return mail_part(message, "text/html")


def deliveries(case_id):
    """The case's delivery rows: (template, audience, channel, status, recipient_id)."""
    return [tuple(r) for r in sql("SELECT template, audience, channel, status, recipient_id"
                                  " FROM notification.deliveries WHERE case_id = :'p1'"
                                  " ORDER BY created_at, id", case_id)]


def settled(predicate, timeout=20.0):
    """wait_until predicate holds."""
    return wait_until(predicate, timeout, 0.2)
