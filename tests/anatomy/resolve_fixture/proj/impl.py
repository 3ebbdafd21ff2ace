def f():
    return 1


def helper():
    return 2
