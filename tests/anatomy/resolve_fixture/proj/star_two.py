def shared():
    return "two"
