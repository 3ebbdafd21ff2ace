import collections


class Base:
    def m(self):
        return 0

    def area(self):
        return 0


class Mixin:
    def m(self):
        return 1

    def describe(self):
        return "mixin"


class Square(Base):
    def m(self):
        return super().m() + 1

    def area(self):
        return self.m()


class Fancy(Square, Mixin):
    def m(self):
        return super().m()

    @classmethod
    def make(cls):
        return cls.describe()


class Counter(collections.Counter):
    pass
