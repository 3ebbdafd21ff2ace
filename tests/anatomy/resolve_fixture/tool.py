def run_tool():
    return 1
