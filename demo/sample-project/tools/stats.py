"""Small statistics over the numbers in a text file, one per line."""
import sys


def mean(values):
    return sum(values) / len(values)


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def read_numbers(path):
    with open(path, encoding="utf-8") as f:
        return [float(line) for line in f if line.strip()]


if __name__ == "__main__":
    numbers = read_numbers(sys.argv[1])
    print(f"mean {mean(numbers):.2f}, median {median(numbers):.2f}")
