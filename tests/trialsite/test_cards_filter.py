"""``{% filter cards %}``: each body cell labelled by its column's header, the label escaped as an attribute."""

from trialsite.templatetags.tables import cards

TABLE = (
    '<table class="table"><thead><tr><th>Berat &amp; "panjang"</th><th><span>Skor</span></th><th></th></tr></thead>'
    '<tbody><tr><td>1</td><td data-label="own">2</td><td>3</td></tr><tr><td colspan="3">—</td></tr></tbody></table>'
)


def test_each_cell_is_labelled_by_its_column_and_the_label_is_escaped():
    assert cards(TABLE) == (
        '<table class="table-cards table"><thead><tr><th>Berat &amp; "panjang"</th><th><span>Skor</span></th>'
        "<th></th></tr></thead><tbody>"
        '<tr><td data-label="Berat &amp; &quot;panjang&quot;">1</td><td data-label="own">2</td><td>3</td></tr>'
        '<tr><td colspan="3">—</td></tr></tbody></table>'
    )


def test_every_table_of_the_fragment_keeps_its_own_labels():
    two = TABLE + TABLE.replace("Berat", "Tinggi")
    written = cards(two)
    assert written.count('data-label="Berat &amp; &quot;panjang&quot;"') == 1
    assert written.count('data-label="Tinggi &amp; &quot;panjang&quot;"') == 1
