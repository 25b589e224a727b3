"""phonechat: a self-hostable implementation of the PhoneChat bookings API, v1."""

__version__ = "0.1.0"
