"""The geometry of the server-drawn charts (newsroom/charts.py)."""

from newsroom import charts


def test_scale_tops_are_round_numbers():
    assert [charts.round_up(value) for value in (0, 1, 3, 7, 10, 11, 26, 480, 999, 1001)] == [
        1, 1, 5, 10, 10, 20, 50, 500, 1000, 2000,
    ]  # fmt: skip


def test_bars_are_as_long_as_their_value_against_the_largest():
    chart = charts.bar_chart([("Первый", 40), ("Второй", 10), ("Третий", 0)], width=500, label_width=130)

    assert [bar.width for bar in chart["bars"]] == [300.0, 75.0, 0.0]  # 500 - 130 - 70 points for the bars
    assert [bar.y for bar in chart["bars"]] == [0, 30, 60]
    assert chart["height"] == 82


def test_long_labels_are_shortened_with_an_ellipsis():
    label = charts.bar_chart([("Очень длинный заголовок материала о форуме в Петропавловске", 1)])["bars"][0].label

    assert len(label) == charts.LABEL_CHARACTERS and label.endswith("…")


def test_lines_run_from_the_first_to_the_last_label_and_from_zero_to_the_top():
    chart = charts.line_chart(["01.12", "02.12", "03.12"], [("Просмотры", "views", [0, 5, 10])], width=216, height=140)

    assert chart["lines"][0].points == "56.0,112.0 128.0,62.0 200.0,12.0"
    assert chart["grid"] == [(112.0, 0), (62.0, 5), (12.0, 10)]


def test_one_day_is_a_dot_in_the_middle_and_no_reading_is_a_flat_line():
    chart = charts.line_chart(["05.12"], [("Просмотры", "views", [0])], width=216, height=140)

    assert chart["lines"][0].dots == [(128.0, 112.0, 0)]
    assert chart["grid"] == [(112.0, 0), (12.0, 1)]


def test_many_days_label_every_few_days():
    labels = [f"{day:02}.11" for day in range(1, 31)]

    chart = charts.line_chart(labels, [("Просмотры", "views", [1] * 30)])

    assert [label for _, label in chart["x_labels"]] == ["01.11", "05.11", "09.11", "13.11", "17.11", "21.11",
                                                          "25.11", "29.11"]  # fmt: skip
