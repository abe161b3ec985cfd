"""Signals other apps listen to without org_hierarchy knowing them (audit, notifications)."""

from django.dispatch import Signal

# Sent inside the transaction after a membership is granted, ended or revoked.
# kwargs: membership, action ("granted" | "ended" | "revoked"), actor (a user or None).
membership_changed = Signal()

# Sent inside the transaction after a bulk import of users and memberships (one event for the whole file).
# kwargs: actor (a user or None), report (services.UsersImportReport), memberships (the created Membership rows).
users_imported = Signal()

# Sent inside the transaction once a user's role groups are back in step with their memberships in force: after an
# administrator ends or revokes a membership, and when the timer dispatcher finds one that expired by date.
# kwargs: user, actor (a user or None: the calendar).
seats_ended = Signal()

# Sent inside the transaction after an administrator lifts a sign-in lockout.
# kwargs: actor (a user), username, ip_address (either may be empty).
login_unlocked = Signal()
# Sent inside the transaction after an administrator resets a person's second factor (a lost phone).
# kwargs: actor (a user), user, devices (how many authenticator and recovery-code devices were removed).
two_factor_reset = Signal()
# Sent inside the transaction when people are invited to choose their password (a new account of an import, or an
# administrator's resend). kwargs: invitations (a list of (user, absolute link)), actor (a user or None).
users_invited = Signal()
