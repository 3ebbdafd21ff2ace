import os.path
import proj.impl as pi
import tool
from . import helpers
from ..p.m import b as c
from ..star_one import *
from ..star_two import *
from proj import f
from ..shapes import Base, Mixin, Square
from ..missing import nothing
from .. import absent
from ... import beyond


def get():
    return None


class Widget(Base, Mixin):
    def m(self):
        return super().m()

    def run(self, d):
        obj = self
        g = f
        total = [self.area() for _ in range(2)]
        return obj.m(), g(), d.get(), get(), total

    def nested(self):
        def inner(x):
            return self.describe()

        return inner


class Other:
    def m(self):
        return 5

    def call_m(self):
        return self.m()


def main(*a, **k):
    from ..impl import helper

    helper()
    c()
    shared()
    only_one()
    pi.f()
    tool.run_tool()
    helpers.assist(*a, **k)
    os.path.join("a", "b")
    Widget.m(None)
    Square().area()
    len(a)
    [len(x) for x in a]
    Widget().m()
    Other().call_m()
    return f()
