"""French date formats of the product: "12 h 30" (a non-breaking space on each side of
the "h"), month names in lower case ("3 décembre 2026"), "3 déc. 2026" when short.

Django's own French module writes "12:30" and "3 Déc"; loaded first through
FORMAT_MODULE_PATH, this one wins for the keys it defines.
"""

NBSP = "\u00a0"

TIME_FORMAT = rf"G{NBSP}\h{NBSP}i"
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = rf"j F Y \à G{NBSP}\h{NBSP}i"
SHORT_DATETIME_FORMAT = rf"d/m/Y G{NBSP}\h{NBSP}i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
