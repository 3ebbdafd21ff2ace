def assist(*args, **kwargs):
    return args


def len(x):
    return 0


def measure(x):
    return len(x)
