/*
 * giamsat.maritime.ais._speedups: the hot path of StreamDecoder.feed in C.
 *
 * Why C: a live decoder gets one line at a time, so numpy cannot help, and in pure Python
 * the per-line work (checksum, field split, armor, ~15 bit fields, a dict) costs ~5 us.
 * This module does exactly what the Python fast path does for the common case - a bare
 * one-sentence !xxVDM/VDO line whose message type has a fixed layout - and returns None for
 * anything else, which the Python code then handles (and counts). The layout is not coded
 * here: Python compiles each layout table into a Program (field offsets, widths, kinds,
 * scaling) that this code interprets, so the layout tables stay the single source of truth.
 * tests/maritime/test_speedups.py checks that both paths give identical results.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

enum { K_UNSIGNED = 0, K_SIGNED = 1, K_BOOL = 2, K_TEXT = 3 };

typedef struct {
    PyObject *name;     /* interned key */
    int offset;
    int width;
    int kind;
    int trim;           /* text: drop trailing spaces */
    int scaled;         /* apply na/add/div or table */
    int nna;
    long long na[4];
    long long add;
    double div;         /* 0: no division */
    PyObject *table;    /* tuple indexed by the unsigned raw value, or NULL */
} FieldSpec;

typedef struct {
    PyObject_HEAD
    int nfields;
    int min_bits;
    int max_bits;
    FieldSpec *fields;
} Program;

static void Program_dealloc(Program *self) {
    for (int i = 0; i < self->nfields; i++) {
        Py_XDECREF(self->fields[i].name);
        Py_XDECREF(self->fields[i].table);
    }
    PyMem_Free(self->fields);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyTypeObject ProgramType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "giamsat.maritime.ais._speedups.Program",
    .tp_basicsize = sizeof(Program),
    .tp_dealloc = (destructor)Program_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A compiled fixed layout (built by giamsat.maritime.ais.stream).",
};

/* program(fields, min_bits, max_bits); fields: tuples
 * (name, offset, width, kind, trim, scaled, na_tuple, add, div, table_or_None) */
static PyObject *make_program(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *fields;
    int min_bits, max_bits;
    if (!PyArg_ParseTuple(args, "O!ii", &PyTuple_Type, &fields, &min_bits, &max_bits))
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(fields);
    Program *prog = PyObject_New(Program, &ProgramType);
    if (!prog) return NULL;
    prog->nfields = 0;
    prog->min_bits = min_bits;
    prog->max_bits = max_bits;
    prog->fields = PyMem_Calloc(n ? n : 1, sizeof(FieldSpec));
    if (!prog->fields) { Py_DECREF(prog); return PyErr_NoMemory(); }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyTuple_GET_ITEM(fields, i);
        PyObject *name, *na, *table;
        FieldSpec *f = &prog->fields[i];
        if (!PyArg_ParseTuple(item, "UiiiiiO!LdO", &name, &f->offset, &f->width, &f->kind,
                              &f->trim, &f->scaled, &PyTuple_Type, &na, &f->add, &f->div,
                              &table)) {
            Py_DECREF(prog);
            return NULL;
        }
        if (f->width < 1 || f->width > 240 || (f->kind != K_TEXT && f->width > 63) ||
            PyTuple_GET_SIZE(na) > 4) {
            Py_DECREF(prog);
            PyErr_SetString(PyExc_ValueError, "field does not fit the C decoder");
            return NULL;
        }
        f->nna = (int)PyTuple_GET_SIZE(na);
        for (int k = 0; k < f->nna; k++) {
            f->na[k] = PyLong_AsLongLong(PyTuple_GET_ITEM(na, k));
            if (PyErr_Occurred()) { Py_DECREF(prog); return NULL; }
        }
        Py_INCREF(name);
        PyUnicode_InternInPlace(&name);
        f->name = name;
        if (table != Py_None) {
            if (!PyTuple_Check(table) || PyTuple_GET_SIZE(table) != ((Py_ssize_t)1 << f->width)) {
                Py_DECREF(prog);
                PyErr_SetString(PyExc_ValueError, "table must have 2**width entries");
                return NULL;
            }
            Py_INCREF(table);
            f->table = table;
        }
        prog->nfields = (int)(i + 1);
    }
    return (PyObject *)prog;
}

static signed char ARMOR[256];
static const char TEXT[] = "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?";
static signed char HEX[256];

static uint64_t bits_at(const uint8_t *six, int start, int width) {
    uint64_t v = 0;
    for (int i = start; i < start + width; i++)
        v = (v << 1) | ((six[i / 6] >> (5 - i % 6)) & 1);
    return v;
}

static PyObject *KEY_TIME, *KEY_SOURCE, *KEY_CHANNEL, *KEY_OWN;
static PyObject *CH_EMPTY, *CH_A, *CH_B;

static int set_item(PyObject *d, PyObject *key, PyObject *value) {
    if (!value) return -1;
    int rc = PyDict_SetItem(d, key, value);
    Py_DECREF(value);
    return rc;
}

static PyObject *field_value(const FieldSpec *f, const uint8_t *six, int nbits) {
    int end = f->offset + f->width;
    if (f->kind == K_TEXT) {
        int chars = f->width / 6;
        if (end > nbits) {
            if (nbits - f->offset < 6) Py_RETURN_NONE;
            chars = (nbits - f->offset) / 6;
        }
        char buf[64];
        int len = 0;
        for (int j = 0; j < chars && j < 64; j++) {
            char ch = TEXT[bits_at(six, f->offset + 6 * j, 6)];
            if (ch == '@') break;
            buf[len++] = ch;
        }
        if (f->trim)
            while (len > 0 && buf[len - 1] == ' ') len--;
        return PyUnicode_FromStringAndSize(buf, len);
    }
    if (end > nbits) Py_RETURN_NONE;
    uint64_t raw = bits_at(six, f->offset, f->width);
    if (f->kind == K_BOOL) return PyBool_FromLong(raw == 1);
    long long value = (long long)raw;
    if (f->kind == K_SIGNED && (raw >> (f->width - 1)))
        value -= (long long)1 << f->width;
    if (!f->scaled) return PyLong_FromLongLong(value);
    for (int k = 0; k < f->nna; k++)
        if (value == f->na[k]) Py_RETURN_NONE;
    if (f->table) {
        PyObject *item = PyTuple_GET_ITEM(f->table, (Py_ssize_t)raw);
        Py_INCREF(item);
        return item;
    }
    if (f->div != 0.0) return PyFloat_FromDouble((double)(value + f->add) / f->div);
    return PyLong_FromLongLong(value + f->add);
}

/* single(line, programs, source, time) -> (dict, type, checksum) or None */
static PyObject *single(PyObject *self, PyObject *args) {
    (void)self;
    const unsigned char *s;
    Py_ssize_t len;
    PyObject *programs, *source, *time;
    if (!PyArg_ParseTuple(args, "y#O!OO", &s, &len, &PyTuple_Type, &programs, &source, &time))
        return NULL;
    /* the caller has stripped the line */
    if (len < 12 || len > 250 || s[0] != '!' || s[len - 3] != '*') Py_RETURN_NONE;
    int hi = HEX[s[len - 2]], lo = HEX[s[len - 1]];
    if (hi < 0 || lo < 0) Py_RETURN_NONE;
    int expected = hi * 16 + lo, check = 0;
    const unsigned char *comma[6];
    int ncomma = 0;
    for (Py_ssize_t i = 1; i < len - 3; i++) {
        unsigned char c = s[i];
        check ^= c;
        if (c == ',') {
            if (ncomma == 6) Py_RETURN_NONE;
            comma[ncomma++] = s + i;
        } else if (c == '!' || c == '*' || c == '\\' || c == '$') {
            Py_RETURN_NONE;
        }
    }
    if (check != expected || ncomma != 6) Py_RETURN_NONE;
    /* address: 2 talker characters then VDM or VDO */
    if (comma[0] - s != 6 || s[3] != 'V' || s[4] != 'D' || (s[5] != 'M' && s[5] != 'O'))
        Py_RETURN_NONE;
    if (comma[1] - comma[0] != 2 || comma[0][1] != '1') Py_RETURN_NONE;
    if (comma[2] - comma[1] != 2 || comma[1][1] != '1') Py_RETURN_NONE;
    PyObject *channel;
    Py_ssize_t chlen = comma[4] - comma[3] - 1;
    if (chlen == 0) channel = CH_EMPTY;
    else if (chlen == 1 && (comma[3][1] == 'A' || comma[3][1] == '1')) channel = CH_A;
    else if (chlen == 1 && (comma[3][1] == 'B' || comma[3][1] == '2')) channel = CH_B;
    else Py_RETURN_NONE;
    const unsigned char *payload = comma[4] + 1;
    Py_ssize_t nchars = comma[5] - payload;
    /* fill: one digit 0..5, then '*' */
    if (s + len - 3 - comma[5] != 2) Py_RETURN_NONE;
    int fill = comma[5][1] - '0';
    if (fill < 0 || fill > 5 || nchars < 1 || nchars > 160) Py_RETURN_NONE;
    uint8_t six[160];
    for (Py_ssize_t i = 0; i < nchars; i++) {
        signed char v = ARMOR[payload[i]];
        if (v < 0) Py_RETURN_NONE;
        six[i] = (uint8_t)v;
    }
    int nbits = (int)(6 * nchars) - fill;
    if (nbits < 6) Py_RETURN_NONE;
    int msg_type = six[0];
    PyObject *prog_obj = PyTuple_GET_ITEM(programs, msg_type);
    if (prog_obj == Py_None) Py_RETURN_NONE;
    Program *prog = (Program *)prog_obj;
    if (nbits < prog->min_bits || nbits > prog->max_bits) Py_RETURN_NONE;
    PyObject *msg = PyDict_New();
    if (!msg) return NULL;
    for (int i = 0; i < prog->nfields; i++) {
        if (set_item(msg, prog->fields[i].name, field_value(&prog->fields[i], six, nbits)) < 0) {
            Py_DECREF(msg);
            return NULL;
        }
    }
    if (PyDict_SetItem(msg, KEY_TIME, time) < 0 || PyDict_SetItem(msg, KEY_SOURCE, source) < 0 ||
        PyDict_SetItem(msg, KEY_CHANNEL, channel) < 0 ||
        PyDict_SetItem(msg, KEY_OWN, s[5] == 'O' ? Py_True : Py_False) < 0) {
        Py_DECREF(msg);
        return NULL;
    }
    return Py_BuildValue("(Nii)", msg, msg_type, check);
}

static PyMethodDef methods[] = {
    {"program", make_program, METH_VARARGS, "Compile a fixed layout for single()."},
    {"single", single, METH_VARARGS,
     "Decode a bare one-sentence !xxVDM/VDO line: (dict, type, checksum) or None."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_speedups", "C hot path of the AIS stream decoder.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__speedups(void) {
    memset(ARMOR, -1, sizeof(ARMOR));
    for (int v = 0; v < 64; v++) ARMOR[v < 40 ? v + 48 : v + 56] = (signed char)v;
    memset(HEX, -1, sizeof(HEX));
    for (int v = 0; v < 10; v++) HEX['0' + v] = (signed char)v;
    for (int v = 0; v < 6; v++) {
        HEX['A' + v] = (signed char)(10 + v);
        HEX['a' + v] = (signed char)(10 + v);
    }
    if (PyType_Ready(&ProgramType) < 0) return NULL;
    KEY_TIME = PyUnicode_InternFromString("time");
    KEY_SOURCE = PyUnicode_InternFromString("source");
    KEY_CHANNEL = PyUnicode_InternFromString("channel");
    KEY_OWN = PyUnicode_InternFromString("own_ship");
    CH_EMPTY = PyUnicode_InternFromString("");
    CH_A = PyUnicode_InternFromString("A");
    CH_B = PyUnicode_InternFromString("B");
    if (!KEY_TIME || !KEY_SOURCE || !KEY_CHANNEL || !KEY_OWN || !CH_EMPTY || !CH_A || !CH_B)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Py_INCREF(&ProgramType);
    if (PyModule_AddObject(m, "Program", (PyObject *)&ProgramType) < 0) {
        Py_DECREF(&ProgramType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
