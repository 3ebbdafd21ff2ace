def shared():
    return "one"


def only_one():
    return 1
